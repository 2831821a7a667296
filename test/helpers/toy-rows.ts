/**
 * Toy rows for training tests: 6 bytes per row, bright at the positions of the row's class (label =
 * id mod classes), with seeded noise, so a small MLP learns them in a few dozen steps.
 */
import { SeededRandom } from '../../src/random.js';

export function toyRows(from: number, count: number, classes: number) {
  const random = new SeededRandom(from + 1);
  return Array.from({ length: count }, (_, i) => {
    const label = (from + i) % classes;
    return { id: from + i, label, features: Uint8Array.from({ length: 6 }, (_, j) => (j % classes === label ? 180 : 20) + Math.floor(random.next() * 60)) };
  });
}
