import { LocalRecognizer, loadOrTrain, loadTrainingData } from '../../recognizers';
import type { AppConfig } from '../config/config';
import { SupportBotError } from '../errors';
import type { Logger } from '../telemetry/logger';

/**
 * The recognizer from the cached model file when it was trained on exactly this data and these
 * options; otherwise trained now (well under a second for the bot's own data) and cached.
 */
export function loadRecognizer(config: AppConfig, logger: Logger): LocalRecognizer {
  const { nlu } = config;
  const options = { threshold: nlu.threshold, orderIdPattern: nlu.orderIdPattern, builtinEntities: nlu.builtinEntities };
  const started = process.hrtime.bigint();
  const elapsedMs = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  const warn = (message: string): void => logger.warn({ trainingFile: nlu.trainingFile }, `training data: ${message}`);
  try {
    if (nlu.modelFile) {
      try {
        const { recognizer, info } = loadOrTrain(nlu.trainingFile, nlu.modelFile, options, warn);
        logger.info(
          { trainingFile: nlu.trainingFile, modelFile: nlu.modelFile, retrained: info.retrained, ms: elapsedMs() },
          info.retrained ? 'recognizer trained and cached' : 'recognizer loaded from its model file',
        );
        return recognizer;
      } catch (err) {
        // A read-only file system (containers) must not stop the bot: train in memory instead.
        if (!['EACCES', 'EROFS', 'EPERM'].includes(String((err as NodeJS.ErrnoException).code))) throw err;
        logger.warn({ modelFile: nlu.modelFile, err: (err as Error).message }, 'cannot write the model file; training in memory at every start');
      }
    }
    const recognizer = LocalRecognizer.train(loadTrainingData(nlu.trainingFile, { warn }), options);
    logger.info({ trainingFile: nlu.trainingFile, ms: elapsedMs() }, 'recognizer trained');
    return recognizer;
  } catch (err) {
    throw new SupportBotError(
      'NLU_TRAINING_FAILED',
      `NLU_FILE / NLU_MODEL_FILE: could not load or train the recognizer from "${nlu.trainingFile}": ${(err as Error).message}`,
      { cause: err },
    );
  }
}
