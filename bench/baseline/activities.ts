// The baseline's one activity: does nothing, so what is measured is Temporal's round trip.
export const baselineActivities = {
  work(): Promise<void> {
    return Promise.resolve();
  },
};

export type BaselineActivities = typeof baselineActivities;
