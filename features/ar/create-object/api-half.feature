# language: ar
@trace @store @config @faults
خاصية: عمل create لـ object: الجزء اللي بيحصل عند الـ API Server
  الـ Create Object Process في الـ notes تسع خطوات، أول خمسة منهم عند الـ API Server:
  "1- الـ user بيبعت للـ Master Node API Server الـ Desired State انه محتاج يعمل Deployment مثلاً.
  2- الـ API Server بعد ما يستلم الطلب بيبدأ يعمل بعض الـ Checks: الأول logging وبعد كده يشوف
  اذا كان الـ Request مسموح لليوزر انه يعمله ولا لأ. 3- الـ API Server بيخزن الـ Deployment Object
  في الـ ETCD Database. 4- الـ ETCD بدوره حيبلغ الـ API Server انه خزن الـ Object بنجاح.
  5- الـ API Server بيبلغ الـ User إن الـ Deployment اتعمل." كل خطوة بنتأكد منها في المكان اللي
  بتحصل فيه: الـ audit log للي الـ API Server سجله، الـ store نفسه للي اتكتب فيه وإمتى أكده،
  وناحية الـ user إمتى الرد وصل. وعشان الترتيب يبان، الـ store في السيناريوهات دي بيأكد كل
  write متأخر 300 مللي ثانية.

  الخلفية:
    بفرض الـ API Server بيكتب audit log
    و الـ store بيأكد كل write متأخر 300 مللي ثانية
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
  سيناريو: 1. الـ user بيبعت الـ Desired State للـ API Server في request واحد
    اذاً الـ create بتاع الـ deployment "web" كان request واحد بس، من "kubernetes-admin"
    و الـ request اللي عمل create للـ deployment "web" عدى على دول بالترتيب:
      | الـ API Server استلم الـ request |
      | الـ user اتعمله authentication  |

  @FLOW-02
  سيناريو: 2. الـ API Server بيعمل logging للـ request، وبعدها يشوف مين اللي بعته وهل مسموح له، قبل أي حاجة تانية
    اذاً الـ audit log فيه الـ request اللي عمل create للـ deployment "web"، بالترتيب:
      | stage            | user             | resource    | name | code | decision |
      | RequestReceived  | kubernetes-admin | deployments |      |      |          |
      | ResponseComplete | kubernetes-admin | deployments | web  | 201  | allow    |
    و الـ audit log سجل الـ request اللي عمل create للـ deployment "web" قبل ما الـ store يستلم الـ write، وسجل الرد بعد ما الـ store أكده
    و الـ request اللي عمل create للـ deployment "web" عدى على دول بالترتيب:
      | الـ user اتعمله authentication    |
      | الـ request مسموح لليوزر انه يعمله |
      | الـ mutating admission عدى        |
      | الـ object اتعمله validation      |

  @FLOW-02
  سيناريو: 2. حتى الـ request اللي الـ API Server مقدرش يعمله authentication بيتسجل برضه
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
    و الـ request اللي اترفض مكتبش حاجة في الـ store

  @FLOW-03
  سيناريو: 3-4. الـ API Server بيخزن الـ Deployment في الـ store، والـ store بيبلغ انه خزنه بـ revision
    اذاً الـ deployment "web" رجع للـ user والـ resourceVersion بتاعه هو الـ revision اللي الـ store أكدها
    و الـ request اللي عمل create للـ deployment "web" عدى على دول بالترتيب:
      | الـ API Server استلم الـ request          |
      | الـ API Server خزن الـ object في الـ store |
      | الـ store بلغ انه خزنه بـ revision         |

  @FLOW-04
  سيناريو: 5. الـ user بيتبلغ إن الـ Deployment اتعمل بس بعد ما الـ store أكد انه خزنه
    اذاً الـ user اتبلغ إن الـ deployment "web" اتعمل بس بعد ما الـ store أكده
    و الـ audit log فيه الـ request اللي عمل create للـ deployment "web"، بالترتيب:
      | stage            | code |
      | RequestReceived  |      |
      | ResponseComplete | 201  |
