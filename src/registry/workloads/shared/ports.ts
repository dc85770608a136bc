/** Endpoint ports (Endpoints subsets and EndpointSlices) as upstream validates them. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Label } from '../../../api/names.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import { type Obj, present, str } from './values.ts';

export const protocols = ['SCTP', 'TCP', 'UDP'];

export function validateProtocol(p: Obj, path: string): FieldError[] {
  const protocol = str(p.protocol);
  if (!present(p.protocol) || protocol === '') return [field.required(`${path}.protocol`)];
  return protocols.includes(protocol) ? [] : [field.notSupported(`${path}.protocol`, protocol, protocols)];
}

export function validateAppProtocol(p: Obj, path: string): FieldError[] {
  if (!present(p.appProtocol)) return [];
  const app = str(p.appProtocol);
  return qualifiedNameErrors(app).map((msg) => field.invalid(`${path}.appProtocol`, app, msg));
}

export const labelErrors = (value: string, path: string): FieldError[] =>
  dns1123Label(value).map((msg) => field.invalid(path, value, msg));
