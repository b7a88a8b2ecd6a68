/**
 * Alertmanager 0.25 (Debian's `prometheus-alertmanager`) for the end-to-end tests, on loopback with
 * clustering off, routing every alert to a webhook receiver that the test runs itself.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startService } from './service.js';
import type { Service } from './service.js';

/** One alert of a webhook notification (Alertmanager's webhook payload, version 4). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved' | string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

export interface WebhookNotification {
  /** When the receiver got it (ms since the epoch). */
  readonly receivedAt: number;
  readonly version: string;
  readonly status: string;
  readonly receiver: string;
  readonly alerts: readonly WebhookAlert[];
}

export interface WebhookReceiver {
  /** Where Alertmanager posts, `http://127.0.0.1:PORT/alerts`. */
  readonly url: string;
  /** Every notification received so far, in order. */
  readonly notifications: readonly WebhookNotification[];
  /** Requests that were not a JSON POST to /alerts: each one is a problem worth reporting. */
  readonly rejected: readonly string[];
  close(): Promise<void>;
}

/** An HTTP server on loopback that records the notifications Alertmanager posts to it. */
export function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: WebhookNotification[] = [];
  const rejected: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/alerts') {
        rejected.push(`${request.method} ${request.url}`);
        response.writeHead(404).end();
        return;
      }
      try {
        notifications.push({ receivedAt: Date.now(), ...(JSON.parse(body) as Omit<WebhookNotification, 'receivedAt'>) });
        response.writeHead(200).end();
      } catch (error) {
        rejected.push(`POST /alerts with a body that is not JSON (${(error as Error).message}): ${body.slice(0, 200)}`);
        response.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address !== 'object') {
        reject(new Error('the webhook receiver has no address'));
        return;
      }
      resolve({
        url: `http://127.0.0.1:${address.port}/alerts`,
        notifications,
        rejected,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface AlertmanagerOptions {
  /** The receiver every alert is routed to. */
  readonly webhookUrl: string;
  /** Go durations: how long a new group waits before its first notification, and between updates. */
  readonly groupWait: string;
  readonly groupInterval: string;
}

/**
 * Alertmanager with one route to the webhook. `group_by: ['...']` puts every alert in a group of its
 * own, so each arrives as soon as it fires instead of waiting for others with the same labels.
 */
export function startAlertmanager(dir: string, options: AlertmanagerOptions): Promise<Service> {
  const configFile = join(dir, 'alertmanager.yml');
  const config = {
    route: {
      receiver: 'test-webhook',
      group_by: ['...'],
      group_wait: options.groupWait,
      group_interval: options.groupInterval,
      repeat_interval: '1h',
    },
    receivers: [{ name: 'test-webhook', webhook_configs: [{ url: options.webhookUrl, send_resolved: true }] }],
  };
  return startService({
    name: 'alertmanager',
    binary: 'prometheus-alertmanager',
    dir,
    readyPath: '/-/ready',
    args: (listen) => {
      writeFileSync(configFile, stringify(config, { lineWidth: 0 }));
      return [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=${listen}`,
        // Empty: no cluster gossip listener at all (its default is 0.0.0.0:9094).
        '--cluster.listen-address=',
        '--log.level=warn',
      ];
    },
  });
}
