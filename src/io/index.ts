/** wg.save / wg.load: safetensors serialisation of state dicts. */
export {};
