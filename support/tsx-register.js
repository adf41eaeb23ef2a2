// Registers tsx's ESM hooks so that the TypeScript support code and steps listed after this
// file in cucumber.js's `import` can be loaded (cucumber-js runs on plain Node ESM).
import { register } from 'tsx/esm/api'

register()
