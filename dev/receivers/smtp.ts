// A real SMTP server on loopback (smtp-server, from the nodemailer project) that keeps every
// message it accepts, parsed by mailparser, for the tests and the demo to read back. It can
// require a login and defer (451) the first messages, to exercise credentials and retries.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  headers: Map<string, unknown>;
}

export interface SmtpReceiverOptions {
  /** Required login; none means any client may send. */
  auth?: { user: string; password: string };
  /** Defer that many messages with a 451 first, as a busy server does. */
  deferFirst?: number;
}

export class SmtpReceiver {
  /** Messages accepted (250). */
  readonly messages: ReceivedEmail[] = [];
  /** Every message sent in full, deferred ones too: a retry shows up here again. */
  readonly attempts: ReceivedEmail[] = [];
  port = 0;
  private readonly server: SMTPServer;
  private toDefer: number;

  static async start(opts: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
    const receiver = new SmtpReceiver(opts);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(0, '127.0.0.1', () => resolve());
    });
    receiver.port = (receiver.server.server.address() as AddressInfo).port;
    return receiver;
  }

  private constructor(opts: SmtpReceiverOptions) {
    this.toDefer = opts.deferFirst ?? 0;
    this.server = new SMTPServer({
      // Plain loopback: no TLS certificate to trust, so STARTTLS is not offered.
      disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: !opts.auth,
      logger: false,
      onAuth: (auth, _session, done) => {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password) done(null, { user: auth.username });
        else done(new Error('invalid username or password'));
      },
      onData: (stream, _session, done) => {
        simpleParser(stream).then(
          (mail) => {
            const to = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
            const received = { from: mail.from?.text ?? '', to, subject: mail.subject ?? '', text: mail.text ?? '', messageId: mail.messageId ?? '', headers: mail.headers };
            this.attempts.push(received);
            if (this.toDefer > 0) {
              this.toDefer--;
              done(Object.assign(new Error('try again later'), { responseCode: 451 }));
              return;
            }
            this.messages.push(received);
            done();
          },
          (err: Error) => done(err),
        );
      },
    });
  }

  /** For POLLBACK_SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
