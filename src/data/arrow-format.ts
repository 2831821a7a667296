/** Constants of the Arrow IPC format, shared by the bounds check (arrow-bounds.ts) and the splitter (split-arrow.ts). */

/** "ARROW1": the file format starts (then padding to 8 bytes) and ends with it. */
export const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/** Message header types in Arrow's Message.fbs. */
export const SCHEMA = 1;
export const DICTIONARY_BATCH = 2;
export const RECORD_BATCH = 3;
