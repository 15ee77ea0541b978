/**
 * Who a request came from, for rate limits. X-Forwarded-For is written by whoever sends the request, so only the
 * part a trusted proxy appended is believed: walking the header from the right (each proxy appends the address
 * it saw), trusted proxies are skipped and the first address not ours is the client. With no trusted proxies
 * (the default) the header is ignored and the socket address is the client.
 */
import { isIP } from 'node:net';
import type { ProxyList } from '../core/proxy-list.js';

/** An IPv4-mapped IPv6 address (::ffff:1.2.3.4, how a dual-stack socket reports IPv4) as plain IPv4. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function trusted(list: ProxyList | null, address: string): boolean {
  if (!list) return false;
  const a = plain(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address. `socket` is the TCP peer (undefined for in-process requests, which then count as one
 * client, 'local'); `forwardedFor` the X-Forwarded-For header (all of its values joined by commas).
 */
export function clientAddress(socket: string | undefined, forwardedFor: string | undefined, proxies: ProxyList | null): string {
  const peer = socket ? plain(socket) : 'local';
  if (!socket || !trusted(proxies, peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plain(hops[i]);
    // A hop that is not an address (garbage, "unknown") cannot be checked: stop at the last one that could.
    if (!isIP(hop)) return i === hops.length - 1 ? peer : plain(hops[i + 1]);
    if (!trusted(proxies, hop)) return hop;
  }
  // Every hop is one of our proxies: the leftmost is as far as we can see.
  return plain(hops[0]);
}
