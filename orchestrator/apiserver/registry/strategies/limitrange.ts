// The LimitRange strategy (pkg/apis/core/v1 SetDefaults_LimitRangeItem): a container item's
// default limit comes from its max, its default request from the default limit or the min.

import { arr, obj } from '../defaults.js'
import { defaultLimitRangeItem } from '../defaults.js'
import type { Strategy } from '../strategy.js'

export const limitRangeStrategy: Strategy = {
  defaults(o) {
    for (const item of arr(obj(o.spec)?.limits)) defaultLimitRangeItem(obj(item))
  },
}
