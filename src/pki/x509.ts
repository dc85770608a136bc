// The reflect polyfill must be evaluated before @peculiar/x509 loads tsyringe.
import './reflect-metadata.ts';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 signs and parses through WebCrypto; Node's own implementation is enough.
x509.cryptoProvider.set(webcrypto);

/** @peculiar/x509, ready to use. Import it from here, never from the package directly. */
export { x509 };
