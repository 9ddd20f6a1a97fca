/** torch.utils.data.default_convert: DataLoader's conversion of unbatched samples. */
import { Tensor } from '../engine/tensor.js';
import { tensor } from '../api/creation.js';

/**
 * torch's default_convert: what torch turns into tensors without stacking, NumPy arrays, is a typed
 * array here (a 1-D tensor: float32 from Float32Array/Float64Array, int32 from integer arrays);
 * arrays and plain objects are converted element by element and key by key; tensors, numbers,
 * booleans, strings and anything else come back as they are (torch leaves Python numbers alone).
 */
export function defaultConvert(data: unknown): unknown {
  if (data instanceof Tensor) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const ints = !(data instanceof Float32Array || data instanceof Float64Array);
    return tensor(Array.from(data as unknown as ArrayLike<number>, Number), { dtype: ints ? 'int32' : 'float32' });
  }
  if (Array.isArray(data)) return data.map(defaultConvert);
  if (data !== null && typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype)
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, defaultConvert(v)]));
  return data;
}
