/**
 * A long-lived CLI process for the concurrency test: each IPC message is one `main(argv)` run, and
 * the reply is its exit code and error lines (3 when it threw, as the real command would exit).
 */
import { main } from '../../../generator/cli.js';

process.on('message', (message: { readonly argv: readonly string[] }) => {
  const err: string[] = [];
  main(message.argv, { out: () => {}, err: (line) => err.push(line) }).then(
    (code) => process.send!({ code, err }),
    (error: unknown) => process.send!({ code: 3, err: [...err, String(error)] }),
  );
});
process.send!({ ready: true });
