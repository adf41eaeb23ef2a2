# language: ar
خاصية: الـ objects بيتعملها validation على الـ schema والـ rules بتاعة الـ API قبل ما تتخزن
  الـ notes بتقول: "بعد كده تيجي مرحلة الـ Schema Validation للـ object قبل ما يسجله في الـ etcd
  database." الـ object لازم يمشي على الـ schema بتاع الـ Kubernetes API (الـ types الصح، والـ fields
  الـ required) وعلى الـ rules اللي الـ API Server بيفرضها على الـ kind بتاعه (أسامي DNS-1123، الـ pod
  لازم يبقى فيها containers ليها names و images، الـ ports في الـ range، الـ selector بتاع الـ Deployment
  لازم يطابق الـ labels بتاعة الـ template، الـ replicas >= 0، فيه fields عمرها ما بتتغير، الـ percentages
  شكلها "<n>%"، والـ generateName يبقى prefix ينفع يبقى name). الـ object البايظ بيترفض، بـ 400 BadRequest
  لو مش ممكن يتعمله decode أصلاً (JSON type غلط، integer الـ field بتاعه int32/int64 ميشيلوش، quantity
  متتقريش)، وبـ 422 Invalid غير كده ومعاه كل field بايظ، ومفيش حاجة بتتخزن.

  @API-05 @store
  سيناريو مخطط: الـ object البايظ بيترفض، والـ message فيها الـ field الغلط (<case>)
    عندما حاولت اعمل create لـ <kind> من الـ body:
      """
      <body>
      """
    اذاً الـ request اترفض بـ <code> <reason> والـ message فيها "<says>"
    و الـ request اللي اترفض مكتبش حاجة في الـ store

    امثلة:
      | case                          | kind       | body                                                                                                                                                                            | code | reason     | says                                                                |
      | a name with capitals          | config map | {"metadata": {"name": "Never_Stored"}}                                                                                                                                          | 422  | Invalid    | metadata.name: Invalid value: \"Never_Stored\": a lowercase RFC 1123 subdomain |
      | a pod without containers      | pod        | {"metadata": {"name": "p"}, "spec": {"containers": []}}                                                                                                                         | 422  | Invalid    | spec.containers: Required value                                     |
      | a container without an image  | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}                                                                                                          | 422  | Invalid    | spec.containers[0].image: Required value                            |
      | a port out of range           | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1", "ports": [{"containerPort": 70000}]}]}}                                    | 422  | Invalid    | spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive |
      | two containers with one name  | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}, {"name": "app", "image": "registry.internal/b:1"}]}}                    | 422  | Invalid    | spec.containers[1].name: Duplicate value: \"app\"                   |
      | negative replicas             | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.replicas: Invalid value: -1: must be greater than or equal to 0 |
      | a selector that misses        | deployment | {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels` |
      | a string for replicas         | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": "three"}}                                                                                                                      | 400  | BadRequest | cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32 |
      | a body that is not JSON       | config map | {"metadata": {"name": "never-stored"}                                                                                                                                           | 400  | BadRequest | json parse error                                                    |
      | an int64 that overflows       | pod        | {"metadata": {"name": "p"}, "spec": {"terminationGracePeriodSeconds": 1e308, "containers": [{"name": "app", "image": "registry.internal/a:1"}]}}                              | 400  | BadRequest | into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64 |
      | an int32 that overflows       | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": 2147483648}}                                                                                                                   | 400  | BadRequest | cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32 |
      | a quantity that does not parse | pod       | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1", "resources": {"limits": {"cpu": "lots"}}}]}}                           | 400  | BadRequest | quantities must match the regular expression |
      | a maxSurge that is no percentage | deployment | {"metadata": {"name": "d"}, "spec": {"strategy": {"rollingUpdate": {"maxSurge": "str"}}, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.strategy.rollingUpdate.maxSurge: Invalid value: \"str\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%') |
      | an invalid generateName beside a valid name | config map | {"metadata": {"name": "never-stored", "generateName": "Never_Stored-"}}                                                                                          | 422  | Invalid    | metadata.generateName: Invalid value: \"Never_Stored-\": a lowercase RFC 1123 subdomain |

  @API-05
  سيناريو: كل field بايظ بيتذكر، وكل واحد معاه الـ reason بتاعه
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: Broken_Pod
        labels: {tier: "front end"}
      spec:
        restartPolicy: Sometimes
        containers:
          - name: App
          - name: helper
            image: registry.internal/ock/helper:1
            ports:
              - containerPort: 0
      """
    اذاً الـ request اترفض بـ 422 Invalid
    و الـ rejection فيه لكل field غلط الـ reason بتاعه:
      | field                                     | reason                 |
      | metadata.name                             | FieldValueInvalid      |
      | metadata.labels                           | FieldValueInvalid      |
      | spec.containers[0].name                   | FieldValueInvalid      |
      | spec.containers[0].image                  | FieldValueRequired     |
      | spec.containers[1].ports[0].containerPort | FieldValueRequired     |
      | spec.restartPolicy                        | FieldValueNotSupported |
    و الـ pod "Broken_Pod" مش موجودة

  @API-05
  سيناريو: الـ strict field validation بتاع الـ kubectl بيرفض field مش موجود في الـ API
    عندما شغلت "kubectl apply -f -" بالـ input ده:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: typo
      dta:
        greeting: hello
      """
    اذاً الـ command فشل وقال 'strict decoding error: unknown field "dta"'
    و الـ config map "typo" مش موجودة

  @API-05
  سيناريو: الـ selector بتاع الـ Deployment مينفعش يتغير بعد ما يتعمل
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web, release: "1"}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    عندما حاولت اعمل apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web, release: "1"}
        template:
          metadata:
            labels: {app: web, release: "1"}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً الـ request اترفض بـ 422 Invalid والـ message فيها "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"release\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"

  @API-05
  سيناريو: الـ spec بتاع الـ pod مينفعش يتغير بعد ما تتعمل، غير الـ images بتاعتها
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
    عندما شغلت "kubectl set image pod/web app=registry.internal/ock/app:2"
    اذاً الـ command نجح
    عندما شغلت "kubectl patch pod web -p '{\"spec\":{\"restartPolicy\":\"Never\"}}'"
    اذاً الـ command فشل وقال "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"
