/**
 * The trusted-proxy setting (TRUSTED_PROXIES) as a list of addresses and ranges. It sits in the ground because
 * config validates it at start-up and the HTTP modules consult it per request (src/http/client-address.ts).
 */
import { BlockList, isIP } from 'node:net';

export type ProxyList = BlockList;

/** `127.0.0.1,::1,10.0.0.0/8` → a BlockList; null when an entry is not an address or range. */
export function parseProxyList(text: string): ProxyList | null {
  const list = new BlockList();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    if (!family || extra !== undefined) return null;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || prefix > (family === 6 ? 128 : 32)) return null;
      list.addSubnet(address, prefix, type);
    }
  }
  return list;
}
