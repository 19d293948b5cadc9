// A RabbitMQ vhost of the test's own (so its queue never meets another test's workers), via rabbitmqctl.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function createVhost(amqpUrl: string): { url: string; remove(): void } {
  const vhost = `emporium-test-${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(new URL(amqpUrl).username || 'guest');
  execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'ignore' });
  execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, user, '.*', '.*', '.*'], { stdio: 'ignore' });
  const u = new URL(amqpUrl);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    url: u.toString(),
    remove: () => execFileSync('rabbitmqctl', ['delete_vhost', vhost], { stdio: 'ignore' }),
  };
}
