#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx's loader, then the CLI entry.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
