import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { WarmstartError } from '../errors.js';

/**
 * The price table: money per device-hour for each device class, and optionally the watts a device
 * draws and the grams of CO2 per kWh of the electricity it runs on. It comes from a JSON file named
 * by WARMSTART_PRICES; there are no built-in prices, since made-up numbers would look like real ones.
 *
 * A device class is `cpu:<model>` (one device = one core used) or `gpu:<name>` (one device = one
 * GPU), as the ledger records it; a `cpu:*` or `gpu:*` entry prices every class of that kind the
 * table does not name. Example:
 *
 *   { "version": "2026-12 on-demand", "currency": "USD", "gramsCO2PerKWh": 350,
 *     "devices": { "gpu:NVIDIA H200": { "perDeviceHour": 3.5, "watts": 700 },
 *                  "cpu:*": { "perDeviceHour": 0.02, "watts": 5 } } }
 *
 * The ledger stores raw device-seconds; cost, kWh and CO2 are computed when read, so a new table
 * re-prices all history without rewriting it.
 */
const devicePrice = z.strictObject({
  perDeviceHour: z.number().nonnegative(),
  watts: z.number().nonnegative().optional(),
  gramsCO2PerKWh: z.number().nonnegative().optional(),
});

const priceTableSchema = z.strictObject({
  version: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD or EUR'),
  /** Where the numbers come from (a contract, a cloud price list and its date). */
  source: z.string().optional(),
  gramsCO2PerKWh: z.number().nonnegative().optional(),
  devices: z.record(z.string(), devicePrice).superRefine((devices, ctx) => {
    if (Object.keys(devices).length === 0) ctx.addIssue({ code: 'custom', message: 'must price at least one device class' });
    for (const key of Object.keys(devices)) {
      if (!/^(cpu|gpu):.+$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a device class: name cpu:<model>, gpu:<name>, cpu:* or gpu:*' });
    }
  }),
});

export type PriceTable = z.infer<typeof priceTableSchema>;
export type DevicePrice = z.infer<typeof devicePrice>;

export function parsePriceTable(text: string, source: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WarmstartError('PRICES_INVALID', `price table ${source} is not valid JSON (${(error as Error).message}); fix the file WARMSTART_PRICES names`, source);
  }
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new WarmstartError('PRICES_INVALID', `price table ${source}: field ${field} ${issue.message}; see the price table format in docs/audit-ledger.md`, `${source}#${field}`);
  }
  return parsed.data;
}

/** The table WARMSTART_PRICES names, or null when none is configured (views then show device-hours without money). */
export function loadPriceTable(env: Record<string, string | undefined> = process.env): PriceTable | null {
  const file = env.WARMSTART_PRICES;
  if (!file) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WarmstartError('PRICES_INVALID', `WARMSTART_PRICES names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); point it at a price table file or unset it`, 'WARMSTART_PRICES');
  }
  return parsePriceTable(text, file);
}

export function priceOf(table: PriceTable, deviceClass: string): DevicePrice | null {
  return table.devices[deviceClass] ?? table.devices[`${deviceClass.split(':')[0]}:*`] ?? null;
}

export interface Priced {
  /** null without a table. */
  money: number | null;
  /** null without a table or when no priced class has watts. */
  kWh: number | null;
  co2Grams: number | null;
  /** Device-hours of classes the table does not price (counted in no money or energy figure). */
  unpricedDeviceHours: number;
}

/** Money, energy and CO2 of device-seconds by class under a table. */
export function priceDeviceSeconds(deviceSeconds: Record<string, number>, table: PriceTable | null): Priced {
  if (!table) return { money: null, kWh: null, co2Grams: null, unpricedDeviceHours: Object.values(deviceSeconds).reduce((a, b) => a + b, 0) / 3600 };
  let money = 0;
  let kWh: number | null = null;
  let co2Grams: number | null = null;
  let unpricedDeviceHours = 0;
  for (const [deviceClass, seconds] of Object.entries(deviceSeconds)) {
    const hours = seconds / 3600;
    const price = priceOf(table, deviceClass);
    if (!price) {
      unpricedDeviceHours += hours;
      continue;
    }
    money += hours * price.perDeviceHour;
    if (price.watts !== undefined) {
      const energy = (hours * price.watts) / 1000;
      kWh = (kWh ?? 0) + energy;
      const intensity = price.gramsCO2PerKWh ?? table.gramsCO2PerKWh;
      if (intensity !== undefined) co2Grams = (co2Grams ?? 0) + energy * intensity;
    }
  }
  return { money, kWh, co2Grams, unpricedDeviceHours };
}
