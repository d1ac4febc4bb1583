// Turns raw results into the table rows (medians, ratios) and prints them.

export function median(xs) {
  if (!xs || xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x, d = 2) => (x === undefined || !Number.isFinite(x) ? undefined : Math.round(x * 10 ** d) / 10 ** d);

/** One summary row per measured row, with ratios to its floor and ip rows. */
export function summarize(rows) {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const med = (key) => {
    const r = key && byKey.get(key);
    return r?.result ? median(r.result.runs_ms) : undefined;
  };
  return rows.map((r) => {
    const res = r.result;
    const m = res ? median(res.runs_ms) : undefined;
    const notes = [];
    if (res?.rss_growth_mb !== undefined) notes.push(`RSS +${res.rss_growth_mb.toFixed(1)} MB`);
    if (res?.overruns) notes.push(`${res.overruns} overruns`);
    if (res?.messages !== undefined && r.kind !== 'exec' && res.messages !== r.size) notes.push(`${res.messages} msgs`);
    if (res?.printed !== undefined && res.printed < r.size) notes.push(`printed ${res.printed}`);
    if (res?.datagrams) notes.push(`${res.datagrams} datagrams, ${(res.bytes / 1e6).toFixed(1)} MB`);
    if (r.error) notes.push(`FAILED: ${r.error.slice(0, 80)}`);
    const floor = med(r.floor);
    const ip = med(r.ip);
    return {
      id: r.id,
      tool: r.tool,
      size: r.size,
      runs: res?.runs_ms?.length ?? 0,
      median_ms: round(m),
      min_ms: round(res?.runs_ms?.length ? Math.min(...res.runs_ms) : undefined),
      cpu_ms: round(median(res?.cpu_ms)),
      msgs_per_s: m ? Math.round((r.size / m) * 1000) : undefined,
      peak_rss_mb: res?.maxrss_kb ? round(res.maxrss_kb / 1024, 1) : undefined,
      x_floor: r.floor && r.floor !== r.key && floor && m ? round(m / floor) : undefined,
      x_ip: r.ip && r.ip !== r.key && ip && m ? round(m / ip) : undefined,
      rss_growth_mb: round(res?.rss_growth_mb, 1),
      note: notes.join('; ') || undefined,
      runs_ms: res?.runs_ms?.map((x) => round(x, 3)),
      error: r.error,
    };
  });
}

function fmt(x, digits) {
  if (x === undefined) return '';
  if (typeof x === 'string') return x;
  if (digits !== undefined) return x.toFixed(digits);
  return String(x);
}

function human(n) {
  if (n === undefined) return '';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** The table as Markdown (what the README quotes), with the machine on top. */
export function formatTable(rows, info) {
  const head = ['case', 'tool', 'size', 'median ms', 'min ms', 'cpu ms', 'msgs/s', 'peak RSS MB', 'x floor', 'x ip', 'note'];
  const body = rows.map((r) => [
    r.id,
    r.tool,
    human(r.size),
    fmt(r.median_ms, r.median_ms < 10 ? 2 : 1),
    fmt(r.min_ms, r.min_ms < 10 ? 2 : 1),
    fmt(r.cpu_ms, r.cpu_ms < 10 ? 2 : 1),
    human(r.msgs_per_s),
    fmt(r.peak_rss_mb, 1),
    fmt(r.x_floor, 2),
    fmt(r.x_ip, 2),
    r.note ?? '',
  ]);
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (right.has(i) ? c.padStart(width[i]) : c.padEnd(width[i]))).join(' | ')} |`;
  const sep = `|${width.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  const machine = `${info.nproc} x ${info.cpu}, ${info.memory_gb} GB, Linux ${info.kernel}, node ${info.node}, ${info.iproute2}${info.pyroute2 ? `, pyroute2 ${info.pyroute2}` : ''}; load ${info.loadavg_start.join(' ')} → ${info.loadavg_end?.join(' ') ?? '?'}${info.nice ? `; nice ${info.nice}` : ''}`;
  return `\n${machine}\n\n${line(head)}\n${sep}\n${body.map(line).join('\n')}\n\n`;
}
