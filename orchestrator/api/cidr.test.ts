import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addressAt, cidrContains, formatCidr, parseCidr, subnet, subnetCount, subnetIndex } from './cidr.js'

describe('CIDR arithmetic', () => {
  it('parses and normalises a CIDR to its network address', () => {
    for (const [input, want] of [
      ['127.64.0.0/10', '127.64.0.0/10'],
      ['127.66.3.7/24', '127.66.3.0/24'],
      ['10.0.0.1/32', '10.0.0.1/32'],
    ] as const) {
      assert.equal(formatCidr(parseCidr(input)), want)
    }
  })

  it('rejects what is not a CIDR', () => {
    for (const bad of ['127.0.0.0', '127.0.0.0/33', '127.0.0/8', '300.0.0.0/8', 'x/8']) assert.throws(() => parseCidr(bad), /CIDR|IPv4|prefix/)
  })

  it('cuts a cluster CIDR into node CIDRs and finds them again', () => {
    const cluster = parseCidr('127.64.0.0/10')
    assert.equal(subnetCount(cluster, 24), 16384)
    assert.equal(formatCidr(subnet(cluster, 24, 0)), '127.64.0.0/24')
    assert.equal(formatCidr(subnet(cluster, 24, 257)), '127.65.1.0/24')
    assert.equal(subnetIndex(cluster, parseCidr('127.65.1.0/24')), 257)
    assert.equal(subnetIndex(cluster, parseCidr('127.1.0.0/24')), -1)
    assert.throws(() => subnet(cluster, 24, 16384), /outside/)
  })

  it('addresses inside a range', () => {
    const node = parseCidr('127.66.3.0/24')
    assert.equal(addressAt(node, 1), '127.66.3.1')
    assert.equal(addressAt(node, 254), '127.66.3.254')
    assert.ok(cidrContains(node, '127.66.3.200'))
    assert.ok(!cidrContains(node, '127.66.4.1'))
    assert.throws(() => addressAt(node, 256), /outside/)
  })
})
