// Every command file exports `register(program)`; this list is the whole CLI surface.
import type { Command } from 'commander';

export const registrars: Array<(program: Command) => void> = [];
