import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PodIPAM } from './ipam.js'

describe('PodIPAM', () => {
  it('hands out addresses from .2, round-robin, never the network, gateway or broadcast', () => {
    const ipam = new PodIPAM('127.64.3.0/29') // .0 network, .1 gateway, .2-.6 pods, .7 broadcast
    assert.equal(ipam.allocate('a'), '127.64.3.2')
    assert.equal(ipam.allocate('a'), '127.64.3.2', 'the same pod gets the same address')
    assert.equal(ipam.allocate('b'), '127.64.3.3')
    ipam.release('a')
    assert.equal(ipam.allocate('c'), '127.64.3.4', 'a freed address is not reused at once')
    assert.equal(ipam.allocate('d'), '127.64.3.5')
    assert.equal(ipam.allocate('e'), '127.64.3.6')
    assert.equal(ipam.allocate('f'), '127.64.3.2', 'wraps around to free addresses')
    assert.equal(ipam.allocate('g'), undefined, 'exhausted')
  })

  it('re-reserves the addresses pods already have after a restart', () => {
    const ipam = new PodIPAM('127.64.3.0/24')
    assert.equal(ipam.reserve('a', '127.64.3.2'), true)
    assert.equal(ipam.reserve('b', '127.64.3.2'), false, 'taken by another pod')
    assert.equal(ipam.reserve('c', '127.99.0.2'), false, 'outside the range')
    assert.equal(ipam.allocate('d'), '127.64.3.3')
    assert.equal(ipam.ipOf('a'), '127.64.3.2')
  })
})
