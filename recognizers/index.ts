/**
 * The local NLU recognizer: everything the bot may use from `recognizers/`.
 */
export * from './types';
export {
  loadTrainingData,
  mergeTrainingData,
  parseJsonLines,
  parseRasaYaml,
  resolveTrainingFiles,
  SUPPORTED_RASA_VERSIONS,
  type LoadOptions,
  type TrainingDataWarn,
} from './data/trainingData';
export {
  LocalRecognizer,
  entitiesOf,
  DEFAULT_OUT_OF_SCOPE_WEIGHT,
  MAX_RECOGNIZED_CHARS,
  recognitionWindow,
  type LocalRecognizerOptions,
  type LocalRecognizerResult,
  type RetrievalResult,
  type ResultEntity,
} from './localRecognizer';
export { normalizeOrderId, isValidOrderId, findOrderIds, DEFAULT_ORDER_ID_PATTERN, ORDER_ID_ENTITY } from './entities/orderId';
export {
  applyFallback,
  didYouMean,
  topIntent,
  isOutOfScopeLabel,
  isRetrievalLabel,
  reportedIntent,
  DEFAULT_THRESHOLD,
  DEFAULT_AMBIGUITY_MARGIN,
  DEFAULT_IN_SCOPE_BUDGET,
  type IntentCandidate,
  type FallbackDecision,
  type ScoredResult,
} from './fallback';
export {
  loadOrTrain,
  loadModel,
  saveModel,
  readModelFile,
  trainingDataHash,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  READABLE_MODEL_FORMAT_VERSIONS,
  measureModelFile,
  type ModelFile,
  type ModelFileStats,
  type ModelInfo,
} from './modelFile';
export { DEFAULT_WEIGHT_PRECISION, WEIGHT_PRECISIONS, type WeightPrecision } from './quantize';
export { ALL_BUILTIN_ENTITIES, type BuiltinEntity } from './entities/builtins';
export type { RecognizerState, LuisInstance, ProgressFn } from './localRecognizer';
export type { CalibrationInfo } from './calibration';
