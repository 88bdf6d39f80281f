import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../../errors/gateway-error.js';
import { FEATURE_BITS, FEATURE_DIM, RULE_FEATURES, forEachFeature } from './features.js';

/**
 * The learned injection scorer: a logistic regression over hashed n-grams (features.ts) plus
 * the rule categories, trained by `npm run train:injection` into models/injection.json and
 * calibrated (Platt) on the corpus's dev split. Long texts are scored in overlapping windows
 * and the most suspicious window wins, so one planted sentence in a long document is not
 * diluted by the pages around it.
 */
export interface InjectionModel {
  readonly bias: number;
  /**
   * Quantised weights, kept as int8 (256 KB) and scaled once per window: a float table four
   * times the size fell out of the CPU cache on long texts and made them cost 5× more per KB.
   */
  readonly weights: Int8Array;
  readonly scale: number;
  /** One weight per RULE_FEATURES entry. */
  readonly ruleWeights: Float32Array;
  /** Platt calibration: p = σ(a·z + b). */
  readonly plattA: number;
  readonly plattB: number;
}

/** Repo-root models/ folder, the same from src/ and dist/. */
export const DEFAULT_MODEL_PATH = fileURLToPath(
  new URL('../../../models/injection.json', import.meta.url),
);
export const MODEL_FORMAT = 'bastion-injection-lr/1';

/**
 * Texts are cut into SEGMENT-character segments; windows of 2 and of 8 segments (256 and
 * 1,024 characters, moved by one segment) are scored. Most training samples fit in the large
 * window; the small one keeps one planted sentence from being diluted by a page around it.
 */
const SEGMENT = 128;
const WINDOWS = [2, 8];

interface ModelFile {
  format: string;
  featureBits: number;
  bias: number;
  scale: number;
  weights: string;
  ruleWeights: number[];
  platt: { a: number; b: number };
  sha256: string;
}

function invalid(path: string, why: string): GatewayError {
  return new GatewayError('injection_model_invalid', {
    message: `The prompt-injection model ${path} cannot be used: ${why}. Restore it from the repository or run npm run train:injection.`,
  });
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parse(path: string, raw: string): InjectionModel {
  let file: Partial<ModelFile>;
  try {
    file = JSON.parse(raw) as Partial<ModelFile>;
  } catch {
    throw invalid(path, 'it is not JSON');
  }
  if (file.format !== MODEL_FORMAT) throw invalid(path, `format is not ${MODEL_FORMAT}`);
  if (file.featureBits !== FEATURE_BITS) throw invalid(path, `feature bits differ from the code`);
  const { bias, scale, weights, ruleWeights, platt, sha256 } = file;
  if (!isNumber(bias) || !isNumber(scale) || typeof weights !== 'string')
    throw invalid(path, 'bias, scale or weights are missing');
  if (!isNumber(platt?.a) || !isNumber(platt.b)) throw invalid(path, 'calibration is missing');
  if (!Array.isArray(ruleWeights) || ruleWeights.length !== RULE_FEATURES.length)
    throw invalid(path, 'rule weights do not match the rule categories');
  if (!ruleWeights.every(isNumber)) throw invalid(path, 'rule weights are not numbers');
  const bytes = Buffer.from(weights, 'base64');
  if (bytes.length !== FEATURE_DIM) throw invalid(path, 'the weight table has the wrong size');
  if (createHash('sha256').update(bytes).digest('hex') !== sha256)
    throw invalid(path, 'the weight table does not match its checksum');
  return {
    bias,
    weights: Int8Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)),
    scale,
    ruleWeights: Float32Array.from(ruleWeights),
    plattA: platt.a,
    plattB: platt.b,
  };
}

const loaded = new Map<string, InjectionModel>();

/**
 * Reads and checks the model file once per process (per path); a missing or corrupt file is
 * an `injection_model_invalid` error, which stops the start: the guard does not run on
 * rules alone without saying so.
 */
export function loadInjectionModel(path: string = DEFAULT_MODEL_PATH): InjectionModel {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw invalid(path, typeof code === 'string' ? code : 'it cannot be read');
  }
  const model = parse(path, raw);
  loaded.set(path, model);
  return model;
}

/** Model margin of the rule features that fired (a dense part of the linear score). */
export function ruleMargin(model: InjectionModel, categories: ReadonlySet<string>): number {
  let z = 0;
  RULE_FEATURES.forEach((c, i) => {
    if (categories.has(c)) z += model.ruleWeights[i] as number;
  });
  return z;
}

/**
 * The highest raw margin (before calibration) over windows of `text` (folded and
 * de-obfuscated); `extra` is the rule part, the same for every window.
 */
export function maxMargin(model: InjectionModel, text: string, extra: number): number {
  const segments = Math.max(1, Math.ceil(text.length / SEGMENT));
  const sums = new Float64Array(segments);
  const counts = new Uint32Array(segments);
  const w = model.weights;
  forEachFeature(text, (f, at) => {
    const s = (at / SEGMENT) | 0;
    sums[s] = (sums[s] as number) + (w[f] as number);
    counts[s] = (counts[s] as number) + 1;
  });
  let best = -Infinity;
  for (const size of WINDOWS) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < segments; i++) {
      sum += sums[i] as number;
      count += counts[i] as number;
      if (i >= size) {
        sum -= sums[i - size] as number;
        count -= counts[i - size] as number;
      }
      // A window is scored once it is full, or at the end when the text is shorter.
      if (i < size - 1 && i !== segments - 1) continue;
      const z = model.bias + extra + (count === 0 ? 0 : (sum * model.scale) / Math.sqrt(count));
      if (z > best) best = z;
    }
  }
  return best;
}

export function calibrate(model: InjectionModel, margin: number): number {
  return 1 / (1 + Math.exp(-(model.plattA * margin + model.plattB)));
}
