import { describe, expect, it } from 'vitest';
import { createFakeKeys, inContext, ruleOf } from '../../../test/fixtures/scan-corpus/fake-keys.js';
import { createSecretDetector } from './detect.js';
import { defaultSecretRules } from './rules.js';

const detector = createSecretDetector();
const keys = createFakeKeys(20240601);

describe('createSecretDetector: the built-in rules', () => {
  it.each(Object.keys(keys))('finds a generated %s with the secret offsets', (id) => {
    const { value } = keys[id]!();
    const text = `before\n${inContext(ruleOf(id), value)}\nafter`;
    const findings = detector.find(text);
    expect(findings.map((f) => f.ruleId)).toEqual([ruleOf(id)]);
    const [f] = findings;
    expect(text.slice(f!.start, f!.end)).toBe(value);
    expect(f!.preview).not.toContain(value);
    expect(f!.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('has a generator for every rule, so every rule is exercised', () => {
    const generated = new Set(Object.keys(keys).map(ruleOf));
    expect(defaultSecretRules.map((r) => r.id).filter((id) => !generated.has(id))).toEqual([]);
  });

  it.each([
    ['an EXAMPLE key from the AWS docs', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
    [
      'a placeholder key',
      'OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ],
    ['a key read from the environment', 'const apiKey = process.env.OPENAI_API_KEY;'],
    ['a template reference', 'token: ${{ secrets.GITHUB_TOKEN }}'],
    ['a UUID id', 'api_key_id = "3f0b1c2e-8a4d-4f6b-9c1e-2d3a4b5c6d7e"'],
    ['a token count', 'max_tokens: 4096'],
    ['a public key', 'publicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5s8G1x2q3r4t"'],
    ['a default database password', 'postgres://postgres:postgres@localhost:5432/postgres'],
    ['a password template in a URL', 'mysql://app:${DB_PASSWORD}@db:3306/app'],
    ['a truncated key in prose', 'Keys look like `sk-ant-api03-…` and start with sk-ant-.'],
    ['a hash', 'sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"'],
    ['a PEM placeholder', '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----'],
    [
      'the AWS docs example secret',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ],
    ['a placeholder Stripe key', 'STRIPE_SECRET_KEY=sk_live_REPLACE_ME_WITH_YOUR_KEY'],
    ['a fake webhook secret', 'STRIPE_WEBHOOK_SECRET=whsec_fake_0123456789abcdefghij'],
  ])('ignores %s', (_name, text) => {
    expect(detector.find(text)).toEqual([]);
  });

  // A CI run of the property test drew whsec_MxcZ0G4sDB4C4SbOXxxxHrLwsXODajdx: its random body
  // holds "Xxxx" mid-run, which the placeholder check took for "xxxx" and the key went unreported.
  it.each([
    ['"Xxxx" inside a random body', 'whsec_MxcZ0G4sDB4C4SbOXxxxHrLwsXODajdx'],
    ['"fAkE" inside a random body', 'whsec_Qm7fAkEz0G4sDB4C4SbOHrLwsXODajdx'],
  ])('reports a key whose random body holds a placeholder word by chance: %s', (_name, value) => {
    const findings = detector.find(`STRIPE_WEBHOOK_SECRET=${value}`);
    expect(findings.map((f) => f.ruleId)).toEqual(['stripe-webhook-secret']);
  });

  // Another CI draw: a hex sk- key whose repeated digits put its entropy at 3.30, under the
  // rule's former 3.5 floor; about 1 in 200 random hex keys of this shape went unreported.
  it('reports an sk- key with a hex body of low but random entropy', () => {
    const value = 'sk-8b80d8fbdd41ddd0aab194af84bbad04'; // bastion:allow test canary
    expect(detector.find(`value = "${value}"`).map((f) => f.ruleId)).toEqual(['sk-shaped-key']);
  });

  it('finds an AWS secret key beside its key id, even without an assignment', () => {
    const id = keys['aws-access-key-id']!().value;
    const secret = keys['aws-secret-access-key']!().value;
    const text = `Access key ID,Secret access key\n${id},${secret}\n`;
    const found = detector.find(text).map((f) => [f.ruleId, text.slice(f.start, f.end)]);
    expect(found).toEqual([
      ['aws-access-key-id', id],
      ['aws-secret-access-key', secret],
    ]);
  });

  it('reports overlapping matches once, under the more specific rule', () => {
    const jwt = keys.jwt!().value;
    expect(detector.find(`auth_token = "${jwt}"`).map((f) => f.ruleId)).toEqual(['jwt']);
    const gh = keys['github-token']!().value;
    expect(detector.find(`https://x:${gh}@github.com/o/r.git`).map((f) => f.ruleId)).toEqual([
      'github-token',
    ]);
  });

  it('gives the same secret the same fingerprint wherever it is', () => {
    const gh = keys['github-token']!().value;
    const [a] = detector.find(`a = "${gh}"`);
    const [b] = detector.find(`GH_TOKEN=${gh}\n`);
    expect(a!.fingerprint).toBe(b!.fingerprint);
  });

  it('keys fingerprints when asked to', () => {
    const gh = keys['github-token']!().value;
    const keyed = createSecretDetector({ fingerprintKey: 'process-key' });
    expect(keyed.find(gh)[0]!.fingerprint).not.toBe(detector.find(gh)[0]!.fingerprint);
  });

  it('masks secrets in text', () => {
    const gh = keys['github-token']!().value;
    const npm = keys['npm-token']!().value;
    const text = `gh=${gh} npm=${npm} end`;
    expect(detector.mask(text)).toBe('gh=[REDACTED:github-token] npm=[REDACTED:npm-token] end');
    expect(detector.mask(text, undefined, () => '***')).toBe('gh=*** npm=*** end');
  });

  it('skips disabled rules and caps the number of findings', () => {
    const gh = keys['github-token']!().value;
    expect(createSecretDetector({ disabledRules: ['github-token'] }).find(gh)).toEqual([]);
    const many = Array.from({ length: 10 }, () => keys['npm-token']!().value).join('\n');
    expect(createSecretDetector({ maxFindings: 3 }).find(many)).toHaveLength(3);
  });

  it('says whether a text may hold a secret from keywords alone', () => {
    expect(detector.mayContainSecret('hello world, nothing to see')).toBe(false);
    expect(detector.mayContainSecret('the ghp_ prefix')).toBe(true);
  });

  it('refuses a custom rule with an unbounded pattern', () => {
    const rule = {
      id: 'bad',
      title: 'bad',
      severity: 'low' as const,
      keywords: ['x'],
      pattern: /x.+/dg,
    };
    expect(() => createSecretDetector({ rules: [rule] })).toThrow('unbounded');
  });
});
