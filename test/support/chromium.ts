import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's headless Chromium, installed by `npm test`'s setup step (test/support/ensure-chromium.sh);
 * a test installs nothing, and says what is missing when it is.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `This browser test needs Chromium at ${CHROMIUM}: run test/support/ensure-chromium.sh as root ` +
        "(it runs before `npm test`, and installs Debian's chromium with apt-get).",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
