import { controlErrorCodes, errorCodes, type ControlErrorSpec, type ErrorSpec } from './codes.js';

/** `docs/errors.md`, generated from the registry (`npm run docs`); a test fails on drift. */
export function renderErrorsMarkdown(): string {
  const rows = (Object.entries(errorCodes) as [string, ErrorSpec][])
    .map(
      ([code, s]) =>
        `| \`${code}\` | ${s.status} | \`${s.openaiType}\` | \`${s.anthropicType}\` | ${s.message.replace(/\|/g, '\\|')} |`,
    )
    .join('\n');
  const controlRows = (Object.entries(controlErrorCodes) as [string, ControlErrorSpec][])
    .map(([code, s]) => `| \`${code}\` | ${s.status} | ${s.meaning.replace(/\|/g, '\\|')} |`)
    .join('\n');
  return `# Error codes

Generated from \`src/errors/codes.ts\` by \`npm run docs\`; do not edit by hand.

Every error Bastion returns carries a stable \`code\`: match on it, never on the message.
OpenAI-dialect routes answer \`{"error":{"message","type","param","code"}}\`; \`/v1/messages\`
answers Anthropic's \`{"type":"error","error":{"type","message"}}\` with \`code\` added. Every
error response also carries the \`x-bastion-error-code\` and \`x-request-id\` headers, and
\`retry-after\` when waiting helps. A stream that fails after it started ends with one error
event in the same shape. Status 499 is never sent: it marks requests whose client left, in
the audit log.

| code | status | OpenAI \`type\` | Anthropic \`type\` | default message |
|---|---|---|---|---|
${rows}

## Control plane

The admin API (\`/admin/...\`) and \`/metrics\` answer operators, not model clients:
\`{"error":{"code","message"}}\` with the status below. The message names the field or value
at fault.

| code | status | sent when |
|---|---|---|
${controlRows}
`;
}
