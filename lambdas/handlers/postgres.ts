// Rotation function for PostgreSQL secrets (strategy from ROTATION_STRATEGY).
import { postgres } from '../rotation/engines/postgres';
import { databaseHandler } from '../rotation/entry';

export const handler = databaseHandler(postgres);
