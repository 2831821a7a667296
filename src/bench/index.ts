// warmstart/bench: the paper's protocol (A*, L_100/L_99, paired seeds) on any published dataset.
export { benchContinual, type ContinualOptions, type ContinualResult, type VariantSummary, type SeedOutcome } from './continual.js';
export { benchMultiStep, type MultiStepOptions, type MultiStepResult, type StepSummary } from './multistep.js';
export { stepsToReach, finalAccuracy, speedUp, WINDOW as REACHED_WINDOW, type SpeedUp } from './target.js';
export { variants, NEW_CLASSES_LEVERS, SAME_CLASSES_LEVERS, combinedLevers, type Variant } from './variants.js';
export { continualTable, multiStepTable } from './format.js';
export { continualChart, multiStepChart } from './chart.js';
