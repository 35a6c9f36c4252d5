import { createApp, type AppOverrides, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from './testBot';

/** The settings every in-process test app starts from: loopback, a free port, test mode. */
export const TEST_APP_ENV = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test' } as const;

export interface RunningTestApp {
  app: BotApp;
  url: string;
  port: number;
}

/** The real application (createApp) listening on a free loopback port, logging nothing. */
export async function startTestApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<RunningTestApp> {
  const app = await createApp(loadConfig({ ...TEST_APP_ENV, ...env }), { logger: silentLogger, ...overrides });
  const { url, port } = await app.listen();
  return { app, url, port };
}
