# language: ar
@store
خاصية: اللي بيعدي من كل الـ Checks بس هو اللي بيوصل للـ store
  الـ notes بتقول: "لما كل ده يتم ... نقدر نحط الـ object في الـ etcd database." الـ request اللي
  بيترفض، في أي مرحلة، مبيسيبش وراه حاجة في الـ store؛ والـ request اللي بيتقبل بيتخزن مرة واحدة بالظبط،
  ومعاه resourceVersion. الـ request الغلط بياخد Status بتقول إيه الغلط، والـ API Server بيفضل شغال
  ويرد. الـ request بيوصل بس للـ object اللي الـ path بتاعه بيسميه: الـ API Server بيقرا الـ path زي ما
  الـ kube-apiserver بيقراه، و"." و".." فيه أسامي مش صح، مش خطوات لفوق في الـ path، فمفيش طريقة تكتب
  بيها الـ path توصل لـ object تاني أو لـ collection كاملة.

  @API-07
  سيناريو: الـ request اللي اتقبل بيتخزن مرة واحدة بالظبط، ومعاه resourceVersion
    بفرض عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        mode: production
      """
    اذاً الـ config map "settings" فيه:
      | metadata.resourceVersion | <present>  |
      | data.mode                | production |
    و الـ config map "settings" اتكتب في الـ store مرة واحدة بس

  @API-07
  سيناريو مخطط: الـ request البايظ بيترفض ومعاه Status، ومفيش حاجة بتتخزن، والـ server بيفضل يرد (<case>)
    عندما حاولت اعمل create لـ config map من الـ body:
      """
      <body>
      """
    اذاً الـ request اترفض بـ <code> <reason>
    و الـ request اللي اترفض مكتبش حاجة في الـ store
    و الـ API Server لسه بيرد

    امثلة:
      | case                  | body                                                    | code | reason     |
      | not JSON at all       | this is { not json                                      | 400  | BadRequest |
      | a number for a name   | {"metadata": {"name": 7}}                               | 400  | BadRequest |
      | a list for the data   | {"metadata": {"name": "cfg"}, "data": ["a", "b"]}       | 400  | BadRequest |
      | no name               | {"metadata": {}}                                        | 422  | Invalid    |
      | a name with capitals  | {"metadata": {"name": "Not_A_Name"}}                    | 422  | Invalid    |
      | the wrong kind        | {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}} | 400 | BadRequest |

  @API-07
  سيناريو: الـ request اللي الـ authentication رفضه مبيكتبش حاجة في الـ store
    عندما client من غير credentials حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    اذاً الـ request اترفض بـ 401 Unauthorized
    و الـ request اللي اترفض مكتبش حاجة في الـ store

  @API-07
  سيناريو: الـ request اللي الـ mutating admission رفضه مبيكتبش حاجة في الـ store
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: ghostly
      spec:
        serviceAccountName: ghost
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'error looking up service account {namespace}/ghost: serviceaccount "ghost" not found'
    و الـ request اللي اترفض مكتبش حاجة في الـ store

  @API-07
  سيناريو: الـ request اللي الـ validating admission رفضه مبيكتبش حاجة في الـ store
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: no-config
      spec:
        hard:
          count/configmaps: "0"
      """
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها "exceeded quota: no-config, requested: count/configmaps=1, used: count/configmaps=0, limited: count/configmaps=0"
    و الـ request اللي اترفض مكتبش حاجة في الـ store

  @API-07 @etcd
  سيناريو: على الـ etcd، الـ request اللي اترفض مبيلمسش الـ etcd، واللي اتقبل بيبقى في الـ etcd مرة واحدة
    عندما حاولت اعمل create لـ config map من الـ body:
      """
      {"metadata": {"name": "Not_A_Name"}}
      """
    اذاً الـ request اترفض بـ 422 Invalid
    و الـ request اللي اترفض مكتبش حاجة في الـ store
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        mode: production
      """
    اذاً الـ config map "settings" اتكتب في الـ store مرة واحدة بس

  @API-07
  سيناريو مخطط: الـ path ميقدرش يوصل لـ object تاني: "." و".." أسامي، مش خطوات لفوق في الـ path (<case>)
    بفرض عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        mode: production
      """
    عندما بعت <method> على "<path>" زي ما هو مكتوب بالظبط
    اذاً الـ request اترفض بـ <code> <reason> والـ message فيها "<message>"
    و الـ request اللي اترفض مكتبش حاجة في الـ store
    و الـ config map "settings" فيه:
      | data.mode | production |

    امثلة:
      | case                                              | method | path                                             | code | reason           | message                                                         |
      | a delete of the object named "%2e%2e"             | DELETE | /api/v1/namespaces/{namespace}/configmaps/%2e%2e | 400  | BadRequest       | Name parameter invalid: \"..\": may not be '..'                 |
      | a delete of the object named ".."                 | DELETE | /api/v1/namespaces/{namespace}/configmaps/..     | 400  | BadRequest       | Name parameter invalid: \"..\": may not be '..'                 |
      | a delete of the object named "."                  | DELETE | /api/v1/namespaces/{namespace}/configmaps/.      | 400  | BadRequest       | Name parameter invalid: \".\": may not be '.'                   |
      | a delete of every config map of namespace ".."    | DELETE | /api/v1/namespaces/%2e%2e/configmaps             | 400  | BadRequest       | Namespace parameter invalid: \"..\": may not be '..'            |
      | a delete of every config map of every namespace   | DELETE | /api/v1/configmaps                               | 405  | MethodNotAllowed | the server does not allow this method on the requested resource |
