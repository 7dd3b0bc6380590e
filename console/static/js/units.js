// Durations as the API writes them ("30d", "1d12h", "10m", "0s") and as
// staff read them: a number and a unit (3 天), or Chinese text (1天12小时).
// A leaf module: labels.js and the pages import it.

const unitSeconds = { d: 86400, h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, μs: 1e-6, ns: 1e-9 };

/** The units staff pick from, largest first; 秒 only where a value needs it. */
export const durationUnits = { d: '天', h: '小时', m: '分钟', s: '秒' };

/** Seconds in an API duration ("1d12h" → 129600), or null if it is not one. */
export function durationSeconds(text) {
  const s = String(text ?? '').trim();
  if (s === '0') return 0;
  const parts = s.match(/\d*\.?\d+(?:d|h|ms|m|s|us|µs|μs|ns)/g);
  if (!s || !parts || parts.join('') !== s) return null;
  return parts.reduce((sum, p) => {
    const [, n, unit] = p.match(/^([\d.]+)(.+)$/);
    return sum + Number(n) * unitSeconds[unit];
  }, 0);
}

/**
 * Splits an API duration into the largest unit that holds it whole:
 * "1d12h" → {n: 36, unit: 'h'}, "0s" → {n: 0, unit: 'm'}. A value not
 * whole in minutes comes back in seconds.
 */
export function durationPick(text) {
  const sec = durationSeconds(text);
  if (sec === null) return null;
  if (sec === 0) return { n: 0, unit: 'm' };
  for (const unit of ['d', 'h', 'm']) {
    if (sec % unitSeconds[unit] === 0) return { n: sec / unitSeconds[unit], unit };
  }
  return { n: Number(sec.toFixed(9)), unit: 's' };
}

/** The API's form of n units: (3, 'd') → "3d"; zero is "0s". */
export function durationOf(n, unit) {
  return Number(n) === 0 ? '0s' : `${n}${unit}`;
}

/** "1天12小时" for an API duration; anything else comes back as it is. */
export function durationText(text) {
  if (/^-\d/.test(String(text))) return '负值';
  let sec = durationSeconds(text);
  if (sec === null) return String(text ?? '');
  if (sec === 0) return '0';
  if (sec < 1) return '不到1秒';
  const out = [];
  for (const unit of ['d', 'h', 'm']) {
    const n = Math.floor(sec / unitSeconds[unit]);
    if (n > 0) out.push(`${n}${durationUnits[unit]}`);
    sec -= n * unitSeconds[unit];
  }
  if (sec >= 0.001) out.push(`${Number(sec.toFixed(3))}秒`);
  return out.join('');
}
