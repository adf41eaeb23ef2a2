# language: ar
خاصية: اللي اتعمله authentication بس هو اللي بيعدي من الباب
  الـ notes بتسأل: "هل الـ user authenticated انه يعمل الـ request؟" كل request لازم يثبت مين اللي بعته:
  client certificate من الـ cluster CA (الـ user هو الـ common name بتاعها، والـ groups هي الـ
  organisations بتاعتها)، أو bearer token من الـ static token file بتاع الـ cluster، أو service account
  token الـ API Server نفسه هو اللي عمله (اللي `kubectl create token` بيطلبه). الـ request اللي من غير
  credentials أو بـ credentials مش صح بيترفض بـ 401 Unauthorized ومعاه Status، ومفيش حاجة بتتخزن.

  @API-02 @store
  سيناريو: الـ request اللي من غير credentials بيترفض بـ 401 ومفيش حاجة بتتخزن
    عندما client من غير credentials حاول يعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: anonymous-note
      """
    اذاً الـ request اترفض بـ 401 Unauthorized
    و الـ request اللي اترفض مكتبش حاجة في الـ store
    و الـ config map "anonymous-note" مش موجودة

  @API-02
  سيناريو: الـ bearer token اللي الـ cluster عمره ما اداه لحد بيترفض بـ 401
    عندما client عمل list للـ config maps بالـ bearer token "not-a-real-token"
    اذاً الـ request اترفض بـ 401 Unauthorized والـ message فيها "Unauthorized"

  @API-02
  سيناريو: الـ service account token اللي حد غير الـ cluster عمله sign بيترفض بـ 401
    عندما شغلت "kubectl create token default"
    و client عمل list للـ config maps بالـ token اللي طلع في الـ output، بس متعمله sign بـ key تاني
    اذاً الـ request اترفض بـ 401 Unauthorized والـ message فيها "Unauthorized"

  @API-02
  سيناريو: الـ token اللي kubectl create token بيطلعه بيعمل authentication على انه الـ service account
    عندما شغلت "kubectl create token default"
    اذاً الـ output هو service account token لـ "system:serviceaccount:{namespace}:default"
    عندما client عمل list للـ config maps بالـ token اللي طلع في الـ output
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'User "system:serviceaccount:{namespace}:default" cannot list resource "configmaps"'

  @API-02
  سيناريو: الـ token اللي في الـ static token file بيعمل authentication على انه الـ user بتاعه
    بفرض الـ cluster بيقبل الـ static tokens دي:
      """
      # token,user,uid,"groups"
      31ada4fd-adec-460c-809a-9e56ceb75269,ci-bot,1001,"builders,auditors"
      """
    عندما client عمل list للـ config maps بالـ bearer token "31ada4fd-adec-460c-809a-9e56ceb75269"
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'User "ci-bot" cannot list resource "configmaps"'
    عندما client عمل list للـ config maps بالـ bearer token "31ada4fd-adec-460c-809a-9e56ceb75270"
    اذاً الـ request اترفض بـ 401 Unauthorized
