/**
 * The code of every snippet in {@code docs/guide.md}, so that each one compiles (and the examples'
 * tests run most of them). A snippet is the region between {@code // tag::name[]} and
 * {@code // end::name[]}; the guide copies it verbatim, and {@code GuideSnippetsTest} checks that
 * every Java block of the guide is one of these regions.
 */
package io.agentry.examples.guide;
