// Starts GraphiQL from the bundles this gateway serves itself: nothing is fetched from outside,
// so analysts can use it inside a closed network. ?query=, ?variables= and ?headers= prefill
// the editors, so a link can carry a ready-made query.
(function () {
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).toString() });
  var defaultQuery = [
    '# One credit profile per unified social credit code.',
    '# Docs (book icon, top left): every field with its Chinese term.',
    'query ApprovalCheck($code: CreditCode!) {',
    '  enterprise(code: $code) {',
    '    code',
    '    marketRegulation { registration { name status } }',
    '    tax { creditGrades { year grade } }',
    '    courts { dishonestDebtorRecords { caseNumber status } }',
    '  }',
    '}',
    '',
  ].join('\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      query: params.get('query') || undefined,
      variables: params.get('variables') || '{ "code": "91500155MA5UQ01CXD" }',
      headers: params.get('headers') || undefined,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
