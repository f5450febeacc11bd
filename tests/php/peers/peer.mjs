// Signature peer for the interoperability tests: @octokit/webhooks-methods
// (GitHub's own JavaScript implementation) signs and verifies.
// Reads one JSON request on stdin, writes one JSON answer on stdout.
import { sign, verify } from '@octokit/webhooks-methods';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
if (req.op === 'sign') {
  const signature = await sign(req.secret, req.body);
  process.stdout.write(JSON.stringify({ headers: { 'X-Hub-Signature-256': signature } }));
} else {
  const ok = await verify(req.secret, req.body, req.headers['x-hub-signature-256']);
  process.stdout.write(JSON.stringify({ ok }));
}
