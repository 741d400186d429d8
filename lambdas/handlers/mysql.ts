// Rotation function for MySQL and MariaDB secrets (strategy from ROTATION_STRATEGY).
import { mysql } from '../rotation/engines/mysql';
import { databaseHandler } from '../rotation/entry';

export const handler = databaseHandler(mysql);
