# language: ar
خاصية: كل request بيعدي على نفس الـ Checks، بنفس الترتيب
  الـ notes بتقول: "بالنسبة للـ Request Validation اللي بيجي من الـ user: هل الـ user authenticated انه
  يعمل الـ request ... بعد كده حيشوف لو هو authorized / has permission ... بعد كده بتيجي مرحلة الـ
  Mutating Admission Controller ... بعد كده تيجي مرحلة الـ Schema Validation ... بتيجي بعد كده اخر
  مرحلة Validation Admission Controller ... لما كل ده يتم ... نقدر نحط الـ object في الـ etcd
  database." الـ API Server الأول بيسجل الـ request (logging)، وبعدين يشوف مين اللي بعته، وبعدين هل
  مسموح له يعمله؛ وبعد كده بس الـ admission plugins بتغير في الـ object وتحكم عليه، والـ object اللي
  عدى على كل ده بس هو اللي بيتكتب في الـ store. حكم كل مرحلة بيتسجل في الـ trace بتاع الـ API Server،
  ولو فيه audit log متظبط بيتسجل فيه برضه (audit.k8s.io/v1 events).

  @API-01 @trace
  سيناريو: الـ request اللي اتقبل بيعدي على كل المراحل بالترتيب قبل ما يوصل للـ store
    بفرض عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ request اللي عمل create للـ pod "web" عدى على دول بالترتيب:
      | الـ user اتعمله authentication            |
      | الـ request مسموح لليوزر انه يعمله         |
      | الـ mutating admission عدى                |
      | الـ object اتعمله validation              |
      | الـ validating admission عدى              |
      | الـ API Server خزن الـ object في الـ store |
      | الـ store بلغ انه خزنه بـ revision         |
      | الـ user اتبلغ إن الـ object اتعمل         |

  @API-01 @trace
  سيناريو: الـ request اللي الـ authorization رفضه عمره ما بيوصل للـ admission ولا للـ store
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    اذاً الـ request اللي اترفض عدى على دول بالترتيب، ومكملش بعدهم:
      | الـ user اتعمله authentication     |
      | الـ authorization رفضه             |
      | الـ user اتبلغ إن الـ request اترفض |

  @API-01 @trace
  سيناريو: الـ request اللي الـ validation رفضه عمره ما بيوصل للـ validating admission ولا للـ store
    بفرض alice مسموح له يعمل create للـ pods
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: no-containers
      spec:
        containers: []
      """
    اذاً الـ request اللي اترفض عدى على دول بالترتيب، ومكملش بعدهم:
      | الـ user اتعمله authentication     |
      | الـ request مسموح لليوزر انه يعمله  |
      | الـ mutating admission عدى         |
      | الـ validation رفضه                |
      | الـ user اتبلغ إن الـ request اترفض |

  @API-01 @FLOW-02
  سيناريو: الـ client اللي محدش يقدر يعمله authentication بياخد 401، مهما كان في الـ request غلط تاني
    عندما client من غير credentials حاول يعمل create لـ config map من الـ body:
      """
      this is { not json
      """
    اذاً الـ request اترفض بـ 401 Unauthorized

  @API-01 @FLOW-02
  سيناريو: الـ user اللي مش مسموح له يعمل create بياخد 403 من الـ authorization قبل ما الـ body يتقري أصلاً
    عندما alice حاول يعمل create لـ config map من الـ body:
      """
      this is { not json
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'User "alice" cannot create resource "configmaps" in API group "" in the namespace "{namespace}"'

  @API-01
  سيناريو: الـ mutating admission بيحكم على الـ object قبل الـ validation
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: ghostly
      spec:
        serviceAccountName: ghost
        containers: []
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'error looking up service account {namespace}/ghost: serviceaccount "ghost" not found'

  # أول admission plugin في الـ upstream هو NamespaceLifecycle، في مرحلة الـ mutating: الـ namespace
  # اللي مش موجود بيطلع NotFound قبل ما الـ ServiceAccount admission يقول إن الـ account مش موجود.
  @API-01
  سيناريو: الـ object اللي رايح لـ namespace مش موجود بيترفض قبل ما أي admission plugin تاني يحكم عليه
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: stray
        namespace: ock-no-such-namespace
      spec:
        serviceAccountName: ghost
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ request اترفض بـ 404 NotFound والـ message فيها 'namespaces "ock-no-such-namespace" not found'

  @API-01
  سيناريو: الـ validation بيحكم على الـ object قبل الـ validating admission
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
        name: Not_A_Name
      """
    اذاً الـ request اترفض بـ 422 Invalid والـ message فيها 'metadata.name: Invalid value: "Not_A_Name"'

  @API-01 @audit
  سيناريو: الـ audit log بيسجل مين طلب إيه، وحكم كل مرحلة، والرد اللي وصله
    بفرض الـ API Server بيكتب audit log
    و alice مسموح له يعمل create للـ config maps
    عندما alice عمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    اذاً الـ audit log فيه الـ request اللي عمل create للـ config map "settings"، بالترتيب:
      | stage            | user  | verb   | resource   | name     | code | decision | reason |
      | RequestReceived  | alice | create | configmaps |          |      |          |        |
      | ResponseComplete | alice | create | configmaps | settings | 201  | allow    |        |
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Secret
      metadata:
        name: password
      """
    اذاً الـ audit log فيه الـ request اللي اترفض، بالترتيب:
      | stage            | user  | verb   | resource | code | decision | reason    |
      | RequestReceived  | alice | create | secrets  |      |          |           |
      | ResponseComplete | alice | create | secrets  | 403  | forbid   | Forbidden |
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: Not_A_Name
      """
    اذاً الـ audit log فيه الـ request اللي اترفض، بالترتيب:
      | stage            | user  | verb   | resource   | code | decision | reason  |
      | RequestReceived  | alice | create | configmaps |      |          |         |
      | ResponseComplete | alice | create | configmaps | 422  | allow    | Invalid |
