// Tearing down what a test file started, each step on its own: one failing must not leave the
// others running.
export type TeardownStep = [what: string, stop: () => Promise<unknown> | undefined];

export async function stopEach(label: string, steps: readonly TeardownStep[]): Promise<void> {
  for (const [what, stop] of steps) {
    try {
      await stop();
    } catch (err) {
      console.error(`${label}: stopping the ${what} failed:`, err);
    }
  }
}
