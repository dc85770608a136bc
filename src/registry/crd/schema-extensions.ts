/** Checks of the Kubernetes extensions in a CRD schema, with upstream's messages. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { fieldPath } from './go-format.ts';
import type { JSONSchemaProps } from './types.ts';

const { child } = fieldPath;

const sub = (v: unknown): JSONSchemaProps | undefined => (isObject(v) ? (v as JSONSchemaProps) : undefined);

/** The x-kubernetes-* extensions: preserve-unknown-fields, map-type, list-type, list-map-keys. */
export function listChecks(s: JSONSchemaProps, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s['x-kubernetes-list-type'];
  const mapType = s['x-kubernetes-map-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = sub(s.items);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(
      field.invalid(child(p, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'),
    );
  }
  const mustBe = (type: string, ext: string) => {
    const msg = `must be ${type} if ${ext} is specified`;
    errs.push(s.type ? field.invalid(child(p, 'type'), s.type, msg) : field.required(child(p, 'type'), msg));
  };
  if (mapType !== undefined && s.type !== 'object') mustBe('object', 'x-kubernetes-map-type');
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(field.notSupported(child(p, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && s.type !== 'array') mustBe('array', 'x-kubernetes-list-type');
  else if (listType === 'set' && items) {
    const msg = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemList = items['x-kubernetes-list-type'];
    if (items.type === 'array' && itemList !== undefined && itemList !== 'atomic') {
      errs.push(field.invalid(child(child(p, 'items'), 'x-kubernetes-list-type'), itemList, msg));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(field.invalid(child(child(p, 'items'), 'x-kubernetes-map-type'), itemList ?? null, msg));
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) {
    errs.push(field.notSupported(child(p, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  }
  if (keys.length > 0 && listType !== 'map') {
    const msg = 'must be map if x-kubernetes-list-map-keys is non-empty';
    errs.push(
      listType === undefined
        ? field.required(child(p, 'x-kubernetes-list-type'), msg)
        : field.invalid(child(p, 'x-kubernetes-list-type'), listType, msg),
    );
  }
  if (listType === 'map') {
    if (keys.length === 0)
      errs.push(
        field.required(
          child(p, 'x-kubernetes-list-map-keys'),
          'must not be empty if x-kubernetes-list-type is map',
        ),
      );
    if (s.items === undefined)
      errs.push(field.required(child(p, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object') {
      errs.push(
        field.invalid(
          child(child(p, 'items'), 'type'),
          items.type ?? '',
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (items?.type === 'object') {
      for (const [i, k] of keys.entries()) {
        if (!items.properties?.[k])
          errs.push(
            field.invalid(
              child(p, 'x-kubernetes-list-map-keys'),
              keys,
              'entries must all be names of item properties',
            ),
          );
        if (keys.indexOf(k) !== i)
          errs.push(
            field.invalid(child(p, 'x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'),
          );
      }
    }
  }
  return errs;
}
