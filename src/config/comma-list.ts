// A flag holding a comma-separated list: its items, trimmed, empty ones dropped ("" is no items).
import { z } from 'zod';

export const commaList = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
