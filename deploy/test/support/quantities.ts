const KUBERNETES_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** A Kubernetes memory quantity (`512Mi`, `1G`) in bytes. */
export function kubernetesBytes(quantity: string): number {
  const match = /^(\d+)([kMG]i?|)$/.exec(quantity);
  const unit = match ? KUBERNETES_UNITS[match[2]!] : undefined;
  if (!match || unit === undefined) throw new Error(`not a memory quantity this check reads: ${quantity}`);
  return Number(match[1]) * unit;
}

const REDIS_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  kb: 1024,
  m: 1e6,
  mb: 1024 ** 2,
  g: 1e9,
  gb: 1024 ** 3,
};

/** A redis.conf memory size (`256mb`, `1gb`, `100m`) in bytes, as Redis reads it. */
export function redisBytes(size: string): number {
  const match = /^(\d+)([a-z]*)$/.exec(size.toLowerCase());
  const unit = match ? REDIS_UNITS[match[2]!] : undefined;
  if (!match || unit === undefined) throw new Error(`not a redis.conf memory size: ${size}`);
  return Number(match[1]) * unit;
}

/** `name value` lines of a redis.conf into a map. */
export function redisConfig(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return [line.slice(0, space), line.slice(space + 1)] as const;
    });
  return new Map(entries);
}
