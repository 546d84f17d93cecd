import { Fragment, h, type NativeElements, type ReservedProps, type VNode } from 'vue';

/*
 * The automatic JSX runtime for the dashboard's Vue components (`jsxImportSource: web-jsx`).
 * Vue's own `vue/jsx-runtime` exports `h` itself, which would take `children` for a prop;
 * this passes them as children (a component gets them as its default slot, or as named
 * slots when given an object of functions). tsc checks every component's props.
 */
type Props = Record<string, unknown> & { children?: unknown };

export function jsx(type: unknown, props: Props | null, key?: string | number): VNode {
  const { children, ...rest } = props ?? {};
  if (key !== undefined) rest.key = key;
  // biome-ignore lint/suspicious/noExplicitAny: h's overloads cannot be chosen for an arbitrary element type
  const create = h as (...args: any[]) => VNode;
  if (children === undefined) return create(type, rest);
  const isSlots = typeof children === 'object' && children !== null && !Array.isArray(children) && !('__v_isVNode' in children);
  const isComponent = typeof type !== 'string' && type !== Fragment;
  if (isComponent && !isSlots) return create(type, rest, { default: () => children });
  return create(type, rest, children);
}

export { jsx as jsxs, jsx as jsxDEV, Fragment };

type NativeWithChildren = { [K in keyof NativeElements]: NativeElements[K] & { children?: unknown } };

export namespace JSX {
  export interface Element extends VNode {}
  export interface ElementClass {
    $props: object;
  }
  export interface ElementAttributesProperty {
    $props: object;
  }
  export interface IntrinsicElements extends NativeWithChildren {}
  /** Children are slots in Vue: not a declared prop of any component. */
  export interface IntrinsicAttributes extends ReservedProps {
    children?: unknown;
  }
}
