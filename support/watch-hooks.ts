// Ends what steps left open for the rest of a scenario (watches kept in the World's
// remembered facts), whatever the scenario's outcome.

import { After } from '@cucumber/cucumber'
import type { OckWorld } from './world.js'

After({ name: 'stop watches' }, function (this: OckWorld) {
  for (const v of this.remembered.values()) {
    if (v && typeof (v as AbortController).abort === 'function') (v as AbortController).abort()
  }
})
