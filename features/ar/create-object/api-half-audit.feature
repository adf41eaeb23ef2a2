# language: ar
@audit
خاصية: عمل create لـ object: الجزء اللي بيحصل عند الـ API Server، زي ما الـ audit log بتاعه بيحكيه
  أول خمس خطوات من الـ Create Object Process، على قد ما أي cluster بيوريهم عن طريق الـ API بتاعه والـ audit
  log بتاعه (audit.k8s.io/v1): الـ user بيبعت الـ Desired State في request واحد (1)؛ الـ API Server بيسجل
  الـ request، وبيعرف مين اللي بعته ويشوف هل مسموح له (2)، حتى الـ request اللي مقدرش يعمله authentication؛
  الـ store بيخزن الـ Deployment ويأكده بـ revision من الـ cluster كله، والرد بيرجع بيها (3-4)؛ وبيبلغ الـ user إن
  الـ Deployment اتعمل (5). إمتى الـ store استلم الـ write وإمتى أكده (3-4)، وترتيب الـ
  checks جوه الـ API Server، بنقراهم جنب الـ API Server، في الـ cluster اللي جاي مع الـ kit بس.

  الخلفية:
    بفرض الـ API Server بيكتب audit log
    و عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {app: web}
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """

  @FLOW-01
  سيناريو: 1. الـ user بيبعت الـ Desired State للـ API Server في request واحد، زي ما الـ audit log سجله
    اذاً الـ create بتاع الـ deployment "web" كان request واحد بس، من "kubernetes-admin"
    و الـ audit log فيه الـ request اللي عمل create للـ deployment "web"، بالترتيب:
      | stage            | user             | verb  | resource    | name | code |
      | RequestReceived  | kubernetes-admin | patch | deployments | web  |      |
      | ResponseComplete | kubernetes-admin | patch | deployments | web  | 201  |

  @FLOW-02
  سيناريو: 2. الـ API Server بيسجل الـ request، ومعاه مين اللي بعته وهل مسموح له
    اذاً الـ audit log فيه الـ request اللي عمل create للـ deployment "web"، بالترتيب:
      | stage            | user             | resource    | name | code | decision |
      | RequestReceived  | kubernetes-admin | deployments |      |      |          |
      | ResponseComplete | kubernetes-admin | deployments | web  | 201  | allow    |

  @FLOW-02
  سيناريو: 2. حتى الـ request اللي الـ API Server مقدرش يعمله authentication بيتسجل برضه، ومبيعملش حاجة
    عندما client من غير credentials حاول يعمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: stranger
      spec:
        selector:
          matchLabels: {app: stranger}
        template:
          metadata:
            labels: {app: stranger}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً الـ request اترفض بـ 401 Unauthorized
    و الـ audit log فيه الـ request اللي اترفض، بالترتيب:
      | stage            | verb   | resource    | code |
      | RequestReceived  | create | deployments |      |
      | ResponseComplete | create | deployments | 401  |
    و الـ deployment "stranger" مش موجودة

  @FLOW-03
  سيناريو: 3-4. الـ Deployment بيتخزن، والرد بيرجع بالـ revision اللي الـ store أكده بيها
    اذاً الـ deployment "web" رجع بـ revision من الـ cluster كله: أي object يتكتب بعده ياخد resourceVersion أكبر

  @FLOW-04
  سيناريو: 5. الـ user بيتبلغ إن الـ Deployment اتعمل، زي ما الـ audit log سجل الرد
    اذاً الـ deployment "web" موجودة
    و الـ audit log فيه الـ request اللي عمل create للـ deployment "web"، بالترتيب:
      | stage            | code |
      | RequestReceived  |      |
      | ResponseComplete | 201  |
