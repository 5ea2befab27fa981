/** jsonata(), counted: what the compile spy substitutes for the package. */
import jsonata from 'jsonata';

const counts = (globalThis as { __benchCompiles?: { jsonata: number } }).__benchCompiles;

function countingJsonata(...args: Parameters<typeof jsonata>): ReturnType<typeof jsonata> {
  if (counts) counts.jsonata++;
  return jsonata(...args);
}

export default countingJsonata;
