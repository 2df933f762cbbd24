/** Reads, validates and compiles one mapping file; throws a ConfigValidationError listing every issue. */
import path from 'node:path';
import { ConfigValidationError } from '../config/issues';
import { compileMapping, type CompileOptions, type CompiledMapping } from './compile';
import { readMappingFile } from './parse';

export function loadMapping(file: string, options: CompileOptions = {}): CompiledMapping {
  const { mapping, issues } = readMappingFile(path.resolve(file), file);
  if (mapping === null) throw new ConfigValidationError(issues);
  return compileMapping(mapping.spec, options);
}
