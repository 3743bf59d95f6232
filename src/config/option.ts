// One flag: its name, environment variable (BOLLARD_ + upper snake case), default and help.
export interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly default?: string;
}

export const option = (flag: string, help: string, defaultValue?: string): OptionSpec => ({
  flag,
  env: `BOLLARD_${flag.toUpperCase().replaceAll('-', '_')}`,
  help,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});
