import { dev } from './dev';
import { production } from './production';
import { staging } from './staging';
import type { EnvironmentConfig } from './types';

/** Every environment, in deployment order. */
export const ENVIRONMENTS: EnvironmentConfig[] = [dev, staging, production];
