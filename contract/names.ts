/** Small closed vocabularies shared by the command table and the intent types. */

export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

export const PROFILE_NAMES = ['default', 'terse', 'workout', 'commute', 'kitchen'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
