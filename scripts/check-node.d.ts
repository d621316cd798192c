// Types of check-node.js, which stays plain JavaScript (an older Node must be able to run it).

/** Why `version` (such as process.versions.node) cannot run Portcullis, or undefined if it can. */
export declare function nodeVersionProblem(version: string): string | undefined;
