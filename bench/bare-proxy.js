// The floor: a bare pass-through proxy (node:http in, undici pool out, no checks at all).
// Bastion is measured against this in the same run.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [, , upstreamUrl, portArg] = process.argv;
const pool = new Pool(upstreamUrl, { connections: 128, pipelining: 1 });

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  try {
    const up = await pool.request({
      method: req.method,
      path: req.url,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream' },
      body: Buffer.concat(chunks),
    });
    res.writeHead(up.statusCode, { 'content-type': up.headers['content-type'] });
    for await (const c of up.body)
      if (!res.write(c)) await new Promise((r) => res.once('drain', r));
    res.end();
  } catch {
    res.writeHead(502).end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg), '127.0.0.1', () =>
  console.log(JSON.stringify({ event: 'listening' })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
