// A small TOML reader for the subset the project's own files use
// (web/texts.toml, forms/*.toml): comments, [tables], [[arrays of tables]],
// dotted headers, basic and literal strings (also """multi-line"""),
// integers, booleans, one-line arrays and one-line inline tables.
// It is not a general TOML parser; it throws on anything it does not know,
// so a change in those files shows up as a clear error, not a wrong value.

export function parseToml(text, source = 'toml') {
  const root = {};
  let current = root;
  const lines = text.split(/\r?\n/);
  let i = 0;

  const fail = (msg) => {
    throw new Error(`${source}:${i + 1}: ${msg}`);
  };

  // Resolve a dotted header; for [[a.b]] the last segment is an array of tables.
  // Intermediate segments that are arrays resolve to their last element.
  function resolve(path, isArray) {
    let node = root;
    path.forEach((key, idx) => {
      const last = idx === path.length - 1;
      if (last && isArray) {
        if (node[key] === undefined) node[key] = [];
        if (!Array.isArray(node[key])) fail(`${key} is not an array of tables`);
        const t = {};
        node[key].push(t);
        node = t;
        return;
      }
      if (node[key] === undefined) node[key] = {};
      node = node[key];
      if (Array.isArray(node)) node = node[node.length - 1];
      if (typeof node !== 'object' || node === null) fail(`${key} is not a table`);
    });
    return node;
  }

  function splitKey(s) {
    return s.split('.').map((k) => k.trim().replace(/^"(.*)"$/, '$1'));
  }

  function unescape(s) {
    return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e) => {
      switch (e[0]) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case '"': return '"';
        case '\\': return '\\';
        case 'u':
        case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
        default: fail(`unknown escape \\${e}`);
      }
    });
  }

  // Parse one value at s[pos]; returns [value, nextPos].
  function value(s, pos) {
    while (s[pos] === ' ' || s[pos] === '\t') pos++;
    const c = s[pos];
    if (c === '"') {
      let j = pos + 1;
      let out = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') { out += s.slice(j, j + 2); j += 2; } else { out += s[j]; j++; }
      }
      if (s[j] !== '"') fail('unterminated string');
      return [unescape(out), j + 1];
    }
    if (c === "'") {
      const j = s.indexOf("'", pos + 1);
      if (j < 0) fail('unterminated literal string');
      return [s.slice(pos + 1, j), j + 1];
    }
    if (c === '[') {
      const arr = [];
      pos++;
      for (;;) {
        while (/[\s,]/.test(s[pos] ?? '')) pos++;
        if (s[pos] === ']') return [arr, pos + 1];
        if (pos >= s.length) fail('unterminated array (multi-line arrays are not supported)');
        const [v, n] = value(s, pos);
        arr.push(v);
        pos = n;
      }
    }
    if (c === '{') {
      const obj = {};
      pos++;
      for (;;) {
        while (/[\s,]/.test(s[pos] ?? '')) pos++;
        if (s[pos] === '}') return [obj, pos + 1];
        if (pos >= s.length) fail('unterminated inline table');
        const eq = s.indexOf('=', pos);
        const key = s.slice(pos, eq).trim();
        const [v, n] = value(s, eq + 1);
        obj[key] = v;
        pos = n;
      }
    }
    const m = /^(true|false|[+-]?\d[\d_]*(\.\d+)?)/.exec(s.slice(pos));
    if (!m) fail(`cannot read value: ${s.slice(pos, pos + 30)}`);
    const tok = m[1];
    const v = tok === 'true' ? true : tok === 'false' ? false : Number(tok.replace(/_/g, ''));
    return [v, pos + tok.length];
  }

  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    let m;
    if ((m = /^\[\[\s*([^\]]+?)\s*\]\]\s*(#.*)?$/.exec(line))) {
      current = resolve(splitKey(m[1]), true);
      continue;
    }
    if ((m = /^\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(line))) {
      current = resolve(splitKey(m[1]), false);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) fail(`cannot read line: ${line}`);
    const keyPath = splitKey(line.slice(0, eq).trim());
    let rest = line.slice(eq + 1).trim();
    let v;
    if (rest.startsWith('"""')) {
      // Multi-line basic string: a newline right after the opening quotes is dropped.
      let body = rest.slice(3);
      const parts = [];
      let closed = body.indexOf('"""');
      if (closed >= 0) {
        parts.push(body.slice(0, closed));
      } else {
        parts.push(body);
        for (i++; i < lines.length; i++) {
          const l = lines[i];
          const k = l.indexOf('"""');
          if (k >= 0) { parts.push(l.slice(0, k)); closed = k; break; }
          parts.push(l);
        }
        if (closed < 0) fail('unterminated multi-line string');
      }
      let joined = parts.join('\n');
      if (joined.startsWith('\n')) joined = joined.slice(1);
      v = unescape(joined.replace(/\\\n\s*/g, ''));
    } else {
      const [val, n] = value(rest, 0);
      const tail = rest.slice(n).trim();
      if (tail !== '' && !tail.startsWith('#')) fail(`unexpected text after value: ${tail}`);
      v = val;
    }
    let node = current;
    for (const k of keyPath.slice(0, -1)) {
      if (node[k] === undefined) node[k] = {};
      node = node[k];
    }
    node[keyPath[keyPath.length - 1]] = v;
  }
  return root;
}
