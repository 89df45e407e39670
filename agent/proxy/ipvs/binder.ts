/**
 * The real AddressBinder: service VIPs as /32 (/128) addresses on the dummy
 * link kube-ipvs0, over rtnetlink. The link is created down and left down:
 * the kernel treats its addresses as local (a route in table `local`)
 * either way, and a down link never answers ARP for them.
 */
import { isNetlinkError, type RtNetlinkClient } from '../../../native/rtnetlink/index.js';
import type { AddressBinder } from './proxier.js';
import { IPVS_DUMMY_LINK } from './plan.js';

export class DummyLinkBinder implements AddressBinder {
  constructor(
    private readonly nl: RtNetlinkClient,
    readonly link = IPVS_DUMMY_LINK,
  ) {}

  async ensureLink(): Promise<void> {
    if (await this.nl.link(this.link)) return;
    await this.nl.addLink({ kind: 'dummy', name: this.link });
  }

  async addresses(): Promise<string[]> {
    if (!(await this.nl.link(this.link))) return [];
    return (await this.nl.addresses({ dev: this.link })).map((a) => a.cidr.split('/')[0]);
  }

  async add(ip: string): Promise<void> {
    try {
      await this.nl.addAddress({ dev: this.link, cidr: ip.includes(':') ? `${ip}/128` : `${ip}/32` });
    } catch (e) {
      if (!(isNetlinkError(e) && e.code === 'EEXIST')) throw e;
    }
  }

  async remove(ip: string): Promise<void> {
    try {
      await this.nl.delAddress({ dev: this.link, cidr: ip.includes(':') ? `${ip}/128` : `${ip}/32` });
    } catch (e) {
      if (!(isNetlinkError(e) && (e.code === 'EADDRNOTAVAIL' || e.code === 'ENODEV'))) throw e;
    }
  }

  async deleteLink(): Promise<void> {
    if (await this.nl.link(this.link)) await this.nl.delLink(this.link);
  }
}
